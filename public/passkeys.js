// Passkey ceremonies on Tessera's pages, with @simplewebauthn/browser (served as /static/webauthn.js).
// Every passkey form starts hidden: without JavaScript or WebAuthn it stays so, and the page's other ways
// remain. A form names where its options come from (data-options, a POST with the CSRF token); the
// browser's answer is posted to the form's action as `response`.
(() => {
  const webauthn = window.SimpleWebAuthnBrowser;
  if (!webauthn?.browserSupportsWebAuthn()) return;

  async function optionsFor(form) {
    const body = new URLSearchParams({ _csrf: form.querySelector('input[name=_csrf]').value });
    const answer = await fetch(form.dataset.options, { method: 'POST', body, credentials: 'same-origin' });
    if (!answer.ok) throw new Error(`options: ${answer.status}`);
    return answer.json();
  }

  function post(form, response) {
    form.querySelector('input[name=response]').value = JSON.stringify(response);
    form.submit(); // no submit event: the form is sent as it is
  }

  for (const form of document.querySelectorAll('form[data-passkey]')) {
    form.hidden = false;
    const problem = form.querySelector('[data-passkey-status]');
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (problem) problem.hidden = true;
      try {
        const optionsJSON = await optionsFor(form);
        const response =
          form.dataset.passkey === 'register'
            ? await webauthn.startRegistration({ optionsJSON })
            : await webauthn.startAuthentication({ optionsJSON });
        post(form, response);
      } catch {
        if (problem) problem.hidden = false;
      }
    });
  }

  // Conditional UI: the browser offers the person's passkeys in the e-mail field's suggestions.
  const autofill = document.querySelector('form[data-passkey-autofill]');
  if (autofill) {
    webauthn.browserSupportsWebAuthnAutofill().then(async (supported) => {
      if (!supported) return;
      try {
        const optionsJSON = await optionsFor(autofill);
        post(autofill, await webauthn.startAuthentication({ optionsJSON, useBrowserAutofill: true }));
      } catch {
        // the person chose another way, or the browser cancelled: nothing to show
      }
    });
  }
})();
