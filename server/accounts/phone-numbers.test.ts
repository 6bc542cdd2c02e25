import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parsePhoneNumber, smsCountryAllowed } from './phone-numbers.js';

describe('phone numbers', () => {
  test('the ways people write one number all give the same E.164 number, calling code and country', () => {
    for (const typed of [
      '+4915112345678',
      '+49 151 12345678',
      '+49 (0)151-1234 5678',
      '0049 151 1234 5678',
      ' tel:+49.151.123.456.78 ',
    ]) {
      assert.deepEqual(parsePhoneNumber(typed), { e164: '+4915112345678', callingCode: '+49', country: 'DE' }, typed);
    }
    assert.deepEqual(parsePhoneNumber('+1 (202) 555-0123'), { e164: '+12025550123', callingCode: '+1', country: 'US' });
  });

  test('what is not an international number that exists is refused', () => {
    for (const typed of [
      '',
      'not a number',
      '015112345678', // national: no country to read it against
      '+12345', // too short for its country
      '+999 1234567', // no such calling code
      '+4915112345678 ext. 12', // an extension reaches a switchboard, not a phone
      `+49${'1'.repeat(60)}`,
    ])
      assert.equal(parsePhoneNumber(typed), undefined, typed);
  });

  test('premium-rate and toll-free numbers are refused: they cost the sender and are no one’s own phone', () => {
    assert.equal(parsePhoneNumber('+1 800 555 0100'), undefined, 'toll free');
    assert.equal(parsePhoneNumber('+1 900 555 0100'), undefined, 'premium rate');
    assert.equal(parsePhoneNumber('+44 909 8790000'), undefined, 'premium rate');
  });

  test('the SMS allow-list takes calling codes and ISO countries; empty allows every country', () => {
    const german = parsePhoneNumber('+4915112345678')!;
    const american = parsePhoneNumber('+12025550123')!;
    assert.ok(smsCountryAllowed(german, []));
    assert.ok(smsCountryAllowed(german, ['+49']));
    assert.ok(smsCountryAllowed(german, ['GB', 'DE']));
    assert.ok(!smsCountryAllowed(german, ['+44', 'US']));
    assert.ok(smsCountryAllowed(american, ['+1']), '+1 allows every country that shares it');
    assert.ok(!smsCountryAllowed(american, ['CA']), 'an ISO code allows only its own country');
  });
});
