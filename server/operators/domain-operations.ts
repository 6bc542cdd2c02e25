// Operator operations on verified domains: attest that a tenant owns a domain (verified without DNS), and ask
// which tenant holds one. The CLI's domains:* commands run them over the operator API, or in-process.
import { errorResponses, type Operation, operation } from './operation.js';
import { TenantParams } from '../tenants/schemas.js';
import type { DomainService } from '../federation/domains.js';
import { AttestDomain, DomainBody, DomainOwnerBody, OwnerQuery } from '../federation/domains-schemas.js';

const tag = 'Operator: domains';

export function domainOperations(domains: DomainService): Operation[] {
  return [
    operation(
      'domains.verify',
      {
        method: 'post',
        path: '/api/admin/tenants/:tenantId/domains',
        tag,
        summary:
          'Attest, as the operator, that the tenant owns the domain: verified without a DNS record (refused while another tenant holds it)',
        params: TenantParams,
        body: AttestDomain,
        responses: {
          200: { description: 'The verified domain', schema: DomainBody },
          ...errorResponses(400, 401, 403, 404, 409),
        },
      },
      async ({ params, body }, { actor }) => ({
        body: await domains.attest(params.tenantId, body.domain, body.join_policy, actor),
      }),
    ),
    operation(
      'domains.owner',
      {
        method: 'get',
        path: '/api/admin/domain-owner',
        tag,
        summary: 'Which tenant holds a domain (of an e-mail address) verified: its join policy and sign-in routing',
        query: OwnerQuery,
        responses: {
          200: { description: 'The owner, if any', schema: DomainOwnerBody },
          ...errorResponses(400, 401, 403),
        },
      },
      async ({ query }) => {
        const owner = await domains.ownerOf(query.domain);
        return {
          body: {
            owner: owner
              ? {
                  domain: owner.domain,
                  tenant_id: owner.tenantId,
                  tenant_name: owner.tenantName,
                  join_policy: owner.joinPolicy,
                  sso_connection_id: owner.ssoConnectionId,
                  password_sign_in: owner.passwordSignIn,
                }
              : null,
          },
        };
      },
    ),
  ];
}
