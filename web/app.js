import { credential, finishSignIn, signOut, startSignIn, useApiKey, whoAmI } from './auth.js';
import { documentScreen } from './document.js';
import { h, show } from './dom.js';
import { queueScreen } from './queue.js';
import { reviewScreen } from './review.js';
import { searchScreen } from './search.js';

/** Screens by the URL's hash: #/reviews, #/reviews/<id>, #/documents/<id>, #/search?q=… */
const routes = [
  [/^#\/reviews\/([^/?]+)$/, (id) => reviewScreen(decodeURIComponent(id))],
  [/^#\/documents\/([^/?]+)$/, (id) => documentScreen(decodeURIComponent(id))],
  [/^#\/search(?:\?(.*))?$/, (query) => searchScreen(new URLSearchParams(query ?? '').get('q'))],
  [/^#\/reviews(?:\?.*)?$/, () => queueScreen()],
];

let config = { issuer: null, clientId: null };

function signInScreen(problem) {
  const keyField = h('input', { id: 'api-key', type: 'password', autocomplete: 'off' });
  return show(
    h('h1', null, 'Sign in'),
    problem ? h('p', { class: 'error', role: 'alert' }, problem) : null,
    config.issuer
      ? h(
          'p',
          null,
          h(
            'button',
            { type: 'button', class: 'primary', onclick: () => startSignIn(config) },
            'Sign in with your organisation account',
          ),
        )
      : null,
    h(
      'form',
      {
        class: 'api-key',
        onsubmit: (event) => {
          event.preventDefault();
          if (!keyField.value.trim()) return;
          useApiKey(keyField.value);
          render();
        },
      },
      h('label', { for: 'api-key' }, 'Or use an API key (kept in this tab only)'),
      keyField,
      h('button', { type: 'submit' }, 'Use key'),
    ),
  );
}

function header() {
  const who = whoAmI();
  const label = document.getElementById('who');
  const out = document.getElementById('sign-out');
  if (label) {
    label.textContent = who
      ? `${who.name}${who.tenant ? ` · ${who.tenant}` : ''}${who.roles.length ? ` · ${who.roles.join(', ')}` : ''}`
      : '';
  }
  if (out) out.hidden = !who;
}

async function render() {
  header();
  if (!credential()) return signInScreen();
  const hash = location.hash || '#/reviews';
  for (const [pattern, screen] of routes) {
    const match = pattern.exec(hash);
    if (match) {
      try {
        return await screen(match[1]);
      } catch (error) {
        if (!credential()) return signInScreen('Your sign-in has ended: sign in again.');
        return show(
          h('h1', null, 'Something went wrong'),
          h('p', { role: 'alert' }, error.message),
        );
      }
    }
  }
  location.hash = '#/reviews';
}

async function start() {
  config = await fetch('/app/config.json').then((r) => r.json());
  document.getElementById('sign-out')?.addEventListener('click', () => {
    signOut();
    render();
  });
  try {
    await finishSignIn(config);
  } catch (error) {
    return signInScreen(`Sign-in failed: ${error.message}`);
  }
  window.addEventListener('hashchange', render);
  await render();
}

start();
