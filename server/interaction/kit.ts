// What a feature's sign-in prompts and pages need from the interaction, knowing neither the protocol
// module nor any feature: oidc/ runs the interaction and hands each feature's pages this kit; a feature
// hands its prompts and pages to oidc/ through app.ts, so no feature imports oidc/ for them.
import type Router from '@koa/router';
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { InteractionResults, interactionPolicy, KoaContextWithOIDC } from 'oidc-provider';

export type Interaction = Awaited<ReturnType<Provider['interactionDetails']>>;

/** A prompt a feature adds to the sign-in's interaction policy. */
export type Prompt = InstanceType<typeof interactionPolicy.Prompt>;

/** What a prompt's own pages need: the interaction, a way to finish it, and the app's name. */
export interface InteractionKit {
  details(ctx: Context): Promise<Interaction>;
  finish(ctx: Context, result: InteractionResults, merge?: boolean): Promise<void>;
  common(interaction: Interaction): Promise<{ uid: string; clientName: string }>;
}

/** Shows the page of one prompt; an extension returns one per prompt name it adds to the policy. */
export type PromptPage = (ctx: Context, interaction: Interaction) => Promise<void>;

/** Adds a prompt's routes (its POSTs) under /interaction/:uid and returns its pages by prompt name. */
export type InteractionExtension = (router: Router, kit: InteractionKit) => Record<string, PromptPage>;

interface PromptContext {
  accountId: string;
  grantId: string;
}

/**
 * A feature's prompts apply once the person is signed in and the grant exists (they run after consent),
 * and, with `scope`, only when the app asked for that scope.
 */
export function promptContext(ctx: KoaContextWithOIDC, { scope }: { scope?: string } = {}): PromptContext | undefined {
  const { oidc } = ctx;
  const accountId = oidc.session?.accountId;
  const grantId = oidc.grant?.jti;
  if (!accountId || !grantId || (scope !== undefined && !oidc.requestParamScopes.has(scope))) return undefined;
  return { accountId, grantId };
}
