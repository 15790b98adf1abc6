import { api } from './api.js';
import { h, show } from './dom.js';

/** The snippet's matches come wrapped in <mark></mark>: marked as such, the rest as text. */
const snippetOf = (snippet) =>
  snippet.split(/<mark>(.*?)<\/mark>/s).map((part, i) => (i % 2 ? h('mark', null, part) : part));

/** Full-text search over the tenant's documents. */
export async function searchScreen(q) {
  const field = h('input', { id: 'q', type: 'search', name: 'q', value: q ?? '', required: true });
  const form = h(
    'form',
    {
      role: 'search',
      onsubmit: (event) => {
        event.preventDefault();
        location.hash = `#/search?${new URLSearchParams({ q: field.value })}`;
      },
    },
    h('label', { for: 'q' }, 'Words in the documents'),
    field,
    h('button', { type: 'submit' }, 'Search'),
  );
  if (!q) return show(h('h1', null, 'Search'), form);
  let results;
  try {
    const { items } = await api(`/search?${new URLSearchParams({ q })}`);
    results =
      items.length === 0
        ? h('p', { class: 'empty' }, 'No document has these words.')
        : h(
            'ol',
            { class: 'results' },
            items.map((hit) =>
              h(
                'li',
                null,
                h(
                  'a',
                  { href: `#/documents/${encodeURIComponent(hit.documentId)}` },
                  hit.fileName ?? hit.documentId,
                ),
                hit.pages.length ? ` (page ${hit.pages.join(', ')})` : '',
                h('p', { class: 'snippet' }, snippetOf(hit.snippet)),
              ),
            ),
          );
  } catch (error) {
    results = h(
      'p',
      { class: 'refused' },
      error.status === 403
        ? 'Not shown: your role does not allow it (needs reader).'
        : error.message,
    );
  }
  show(h('h1', null, 'Search'), form, results);
}
