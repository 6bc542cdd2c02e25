// Renders a server-side page for a Koa request: locale, CSRF token and cache headers filled in.
import type { Context } from 'koa';
import { noStore } from './http/security-headers.js';
import { type Renderer, resolveLocale } from './render.js';

export class PageRenderer {
  constructor(readonly renderer: Renderer) {}

  /** The page language: the `ui_locales` the app asked for, else the browser's Accept-Language. */
  locale(ctx: Context): string {
    const asked = typeof ctx.query.ui_locales === 'string' ? ctx.query.ui_locales.split(' ')[0] : undefined;
    return resolveLocale(asked ?? ctx.acceptsLanguages()[0]);
  }

  render(ctx: Context, template: string, context: Record<string, unknown> = {}, status = 200): void {
    ctx.status = status;
    ctx.type = 'html';
    // Pages carry CSRF tokens, codes or personal data: never cache them.
    noStore(ctx);
    ctx.body = this.renderer.render(template, { locale: this.locale(ctx), csrfToken: ctx.state.csrfToken, ...context });
  }
}
