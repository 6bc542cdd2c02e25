// Request and response schemas of the invitation routes (validation + OpenAPI).
import { z } from 'zod';
import { boundedJsonObject, FREE_FORM_JSON } from '../http/json-limits.js';
import { RoleName, Uuid } from '../tenants/schemas.js';
import { MAX_ACCESS_SECONDS } from './access-end.js';

export const DAY = 24 * 3600;
export const DEFAULT_EXPIRES_IN = 7 * DAY;
export const MAX_EXPIRES_IN = 30 * DAY;

/** An invitation's status, computed when read (see status.ts). */
export const STATUSES = ['pending', 'accepted', 'declined', 'expired', 'revoked', 'exhausted'] as const;

export const InvitationParams = z.object({ tenantId: Uuid, tokenId: Uuid }).strict();

/** Access that ends (access-end.ts): relative to acceptance, or fixed; and renewal instead of adding. */
const AccessEnd = {
  access_expires_in: z
    .number()
    .int()
    .min(60)
    .max(MAX_ACCESS_SECONDS, 'at most 5 years')
    .optional()
    .describe('seconds: the granted roles (and a membership it makes) end this long after acceptance'),
  access_expires_at: z.iso
    .datetime({ offset: true })
    .refine((v) => Date.parse(v) > Date.now(), 'must be in the future')
    .refine((v) => Date.parse(v) <= Date.now() + MAX_ACCESS_SECONDS * 1000, 'at most 5 years ahead')
    .optional()
    .describe('the granted roles (and a membership it makes) end then; after the invitation itself expires'),
  renews: z
    .boolean()
    .default(false)
    .describe('a renewal: moves the end of the invited roles the person holds to the new (later) end'),
};

export const CreateInvitation = z
  .object({
    roles: z
      .array(RoleName)
      .min(1, 'give at least one role (or leave roles out for tenant-user)')
      .max(20)
      .default(['tenant-user'])
      .transform((r) => [...new Set(r)]),
    expires_in: z
      .number()
      .int()
      .min(60)
      .max(MAX_EXPIRES_IN, 'at most 30 days (2592000 seconds)')
      .default(DEFAULT_EXPIRES_IN)
      .describe('seconds'),
    max_uses: z.number().int().min(1).max(1000).default(1),
    email: z
      .email()
      .max(320)
      .optional()
      .describe('binds the invitation: only an account with this verified e-mail may use it'),
    phone: z
      .string()
      .regex(/^\+[1-9]\d{6,14}$/, 'expected a phone number in E.164 form, e.g. +4915112345678')
      .optional()
      .describe('binds the invitation: only an account with this verified phone may use it'),
    client_id: z.string().min(1).max(100).optional(),
    redirect_uri: z.url().max(2000).optional(),
    metadata: boundedJsonObject(FREE_FORM_JSON).optional().describe('free-form JSON for the integrating app'),
    locale: z
      .string()
      .regex(/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/, 'expected a language tag such as en or de-CH')
      .optional(),
    deliver: z.enum(['email', 'sms', 'none']).default('none'),
    notify_inviter: z.boolean().default(false),
    ...AccessEnd,
  })
  .strict()
  .refine((v) => !(v.access_expires_in && v.access_expires_at), {
    message: 'give access_expires_in or access_expires_at, not both',
    path: ['access_expires_at'],
  });

export const InvitationListQuery = z
  .object({
    status: z.enum(STATUSES).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    cursor: z.string().max(600).optional(),
    order: z
      .enum(['id', 'newest'])
      .default('id')
      .describe('id, or newest: newest first (created_at, then id, descending)'),
  })
  .strict();

export const InvitationBody = z
  .object({
    id: Uuid,
    tenant_id: Uuid,
    status: z.enum(STATUSES),
    roles: z.array(z.string()),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    expires_at: z.string(),
    max_uses: z.number().int(),
    use_count: z.number().int(),
    created_at: z.string(),
    created_by: z.string(),
    client_id: z.string().nullable(),
    redirect_uri: z.string().nullable(),
    metadata: z.record(z.string(), z.unknown()),
    locale: z.string().nullable(),
    delivery: z.enum(['email', 'sms', 'none']),
    notify_inviter: z.boolean(),
    access_expires_in: z.number().int().nullable(),
    access_expires_at: z.string().nullable(),
    renews: z.boolean(),
  })
  .meta({ id: 'Invitation' });

export const IssuedInvitationBody = InvitationBody.extend({
  token: z.string().optional().describe('only for deliver=none, only in this response'),
  url: z.string().optional().describe('only for deliver=none, only in this response'),
}).meta({ id: 'IssuedInvitation' });
