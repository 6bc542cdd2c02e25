import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  AppError,
  BadRequest,
  Conflict,
  Forbidden,
  NotFound,
  ServiceUnavailable,
  TooManyRequests,
  Unauthorized,
  Unprocessable,
} from './errors.js';

test('each error kind carries its status and default code, and is an AppError', () => {
  const expected: [AppError, number, string][] = [
    [new BadRequest(), 400, 'invalid_request'],
    [new Unauthorized(), 401, 'invalid_token'],
    [new Forbidden(), 403, 'forbidden'],
    [new NotFound(), 404, 'not_found'],
    [new Conflict(), 409, 'conflict'],
    [new Unprocessable(), 422, 'unprocessable_entity'],
    [new TooManyRequests(5), 429, 'too_many_requests'],
    [new ServiceUnavailable(), 503, 'temporarily_unavailable'],
  ];
  for (const [error, status, code] of expected) {
    assert.ok(error instanceof AppError);
    assert.equal(error.status, status);
    assert.equal(error.code, code);
    assert.ok(error.description.length > 0, `${error.name} has a default description`);
  }
});

test('a service names its own code and description when the default is too vague', () => {
  const error = new Conflict('A tenant with this slug already exists.', 'slug_taken');
  assert.equal(error.name, 'Conflict');
  assert.equal(error.code, 'slug_taken');
  assert.equal(error.message, 'A tenant with this slug already exists.');
});

test('too many requests tells the client when to retry, in whole seconds rounded up', () => {
  const error = new TooManyRequests(12.2);
  assert.equal(error.retryAfterSeconds, 13);
  assert.equal(error.headers['Retry-After'], '13');
  assert.equal(new TooManyRequests(0).headers['Retry-After'], '1');
});

test('unauthorized names the Bearer scheme, as RFC 6750 asks', () => {
  assert.equal(new Unauthorized().headers['WWW-Authenticate'], 'Bearer error="invalid_token"');
});

test('service unavailable tells the client to come back soon', () => {
  assert.equal(new ServiceUnavailable().headers['Retry-After'], '1');
  assert.equal(new ServiceUnavailable(2.5).headers['Retry-After'], '3');
});
