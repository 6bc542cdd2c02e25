// Request and response schemas of the invitation routes (validation + OpenAPI).
import { z } from 'zod';
import { parsePhoneNumber } from '../accounts/phone-numbers.js';
import { boundedJsonObject, FREE_FORM_JSON } from '../http/json-limits.js';
import { SUPPORTED_LOCALES } from '../render.js';
import { RoleName, Uuid } from '../tenants/schemas.js';
import { MAX_ACCESS_SECONDS } from './access-end.js';

export const DAY = 24 * 3600;
export const DEFAULT_EXPIRES_IN = 7 * DAY;
export const MAX_EXPIRES_IN = 30 * DAY;

/** An invitation's status, computed when read (see status.ts). */
export const STATUSES = [
  'pending',
  'awaiting_approval',
  'accepted',
  'declined',
  'expired',
  'revoked',
  'exhausted',
] as const;

/**
 * A phone number as an admin may type it (`+49 151 1234 5678`, `0049…`), normalised to E.164 with the
 * numbering plan's metadata: a number that cannot exist, or one that receives no SMS, is refused here.
 */
const PhoneNumberInput = z
  .string()
  .max(40)
  .transform((typed, ctx) => {
    const number = parsePhoneNumber(typed);
    if (number) return number.e164;
    ctx.addIssue({
      code: 'custom',
      message: 'expected an international phone number that can receive SMS, e.g. +4915112345678',
    });
    return z.NEVER;
  });

/** One pre-filled sign-up field: its value, and whether the person may change it (else it is shown read-only). */
const prefilled = <T extends z.ZodType>(value: T) => z.object({ value, editable: z.boolean().default(true) }).strict();

/** Profile data the registration page reached through the invitation pre-fills (see prefill.ts). */
export const InvitationProfile = z
  .object({
    name: prefilled(z.string().trim().min(1).max(200)).optional(),
    locale: prefilled(
      z.string().refine((v) => SUPPORTED_LOCALES.includes(v), {
        message: `expected a language the pages speak: ${SUPPORTED_LOCALES.join(', ')}`,
      }),
    ).optional(),
  })
  .strict()
  .meta({ id: 'InvitationProfile' })
  .describe('pre-fills the sign-up form reached through this invitation; editable false shows a field read-only');
export type InvitationProfileValue = z.output<typeof InvitationProfile>;

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
    phone: PhoneNumberInput.optional().describe(
      'binds the invitation: only an account with this verified phone may use it; stored in E.164 form',
    ),
    client_id: z.string().min(1).max(100).optional(),
    redirect_uri: z.url().max(2000).optional(),
    metadata: boundedJsonObject(FREE_FORM_JSON).optional().describe('free-form JSON for the integrating app'),
    locale: z
      .string()
      .regex(/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/, 'expected a language tag such as en or de-CH')
      .optional(),
    deliver: z.enum(['email', 'sms', 'none']).default('none'),
    notify_inviter: z.boolean().default(false),
    profile: InvitationProfile.optional(),
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
    approved_by: z.string().nullable().describe("who approved it, when the tenant's policy asked for approval"),
    approved_at: z.string().nullable(),
    profile: InvitationProfile.nullable(),
    access_expires_in: z.number().int().nullable(),
    access_expires_at: z.string().nullable(),
    renews: z.boolean(),
  })
  .meta({ id: 'Invitation' });

export const IssuedInvitationBody = InvitationBody.extend({
  token: z.string().optional().describe('only for deliver=none, only in this response'),
  url: z.string().optional().describe('only for deliver=none, only in this response'),
}).meta({ id: 'IssuedInvitation' });

/** At most this many invitations in one bulk call. */
export const MAX_BULK = 100;

export const BulkCreateInvitations = z
  .object({
    invitations: z
      .array(z.record(z.string(), z.unknown()).describe('a body as for creating one invitation'))
      .min(1)
      .describe(`at most ${MAX_BULK}; each is validated and created on its own`),
  })
  .strict();

export const BulkResultBody = z
  .object({
    created: z.number().int(),
    failed: z.number().int(),
    results: z.array(
      z.union([
        z.object({ index: z.number().int(), status: z.literal('created'), invitation: IssuedInvitationBody }),
        z.object({
          index: z.number().int(),
          status: z.literal('failed'),
          error: z.string(),
          error_description: z.string(),
        }),
      ]),
    ),
  })
  .meta({ id: 'BulkInvitationResult' });
