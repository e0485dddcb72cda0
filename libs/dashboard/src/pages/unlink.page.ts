import { counted } from './format';
import { html } from '@libs/platform';
import { signedInPage, type Chrome } from './layout';

/** What the unlink confirmation shows and posts. */
export interface UnlinkPageView {
  chrome: Chrome;
  userEmail: string;
  userUrl: string;
  deviceName: string;
  clientId: string;
  clientName: string | null;
  tokenCount: number;
  /** Where the Unlink form posts. */
  action: string;
}

/** The confirm card behind a device's ✕: what will be revoked, Unlink (a POST) or Cancel. */
export function renderUnlinkPage(view: UnlinkPageView): string {
  return signedInPage(
    `Unlink ${view.deviceName}`,
    view.chrome,
    html`<section class="card pad narrow confirm">
      <h1>Unlink ${view.deviceName}?</h1>
      <p>
        This revokes the <strong>${counted(view.tokenCount, 'refresh token')}</strong> of
        <strong>${view.deviceName}</strong> in <strong>${view.clientName ?? view.clientId}</strong> for
        <strong>${view.userEmail}</strong>. The application on that device can no longer get new tokens and
        must ask the user to log in again.
      </p>
      <p class="mono">${view.clientId}</p>
      <div class="actions">
        <form method="post" action="${view.action}">
          <input type="hidden" name="csrf_token" value="${view.chrome.csrfToken}" />
          <input type="hidden" name="client_id" value="${view.clientId}" />
          <input type="hidden" name="device" value="${view.deviceName}" />
          <button class="btn danger" type="submit">Unlink</button>
        </form>
        <a class="btn secondary" href="${view.userUrl}">Cancel</a>
      </div>
    </section>`,
  );
}
