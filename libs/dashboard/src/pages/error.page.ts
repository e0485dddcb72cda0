import { html } from '@libs/platform';
import { standalonePage } from './layout';

/** What an error page says and where it leads back to. */
export interface ErrorPageView {
  tenantName: string;
  title: string;
  description: string;
  /** A stable reason, for support requests. */
  code: string;
  back: { label: string; href: string };
}

/** A page for a refusal or a failure: what happened, and a way back. */
export function renderErrorPage(view: ErrorPageView): string {
  return standalonePage(
    view.title,
    view.tenantName,
    html`<h1>${view.title}</h1>
      <p>${view.description}</p>
      <p class="mono">${view.code}</p>
      <div class="actions"><a class="btn secondary" href="${view.back.href}">${view.back.label}</a></div>`,
  );
}
