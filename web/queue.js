import { api } from './api.js';
import { formatDate, h, percent, show } from './dom.js';

const nameOf = (subject) =>
  subject.name ?? ([subject.givenNames, subject.surnames].filter(Boolean).join(' ') || '—');

/** The open reviews, the longest-waiting first. */
export async function queueScreen() {
  const { items } = await api('/reviews?status=open&limit=100');
  show(
    h('h1', null, 'Review queue'),
    h('p', null, `${items.length} open review${items.length === 1 ? '' : 's'}, oldest first.`),
    items.length === 0
      ? h('p', { class: 'empty' }, 'Nothing to review.')
      : h(
          'table',
          { class: 'queue' },
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              ['Requested', 'The document says', 'Born', 'Best score', 'Candidates', ''].map((t) =>
                h('th', { scope: 'col' }, t),
              ),
            ),
          ),
          h(
            'tbody',
            null,
            items.map((review) =>
              h(
                'tr',
                null,
                h('td', null, formatDate(review.requestedAt)),
                h('td', null, nameOf(review.subject)),
                h('td', null, review.subject.dateOfBirth ?? '—'),
                h('td', null, percent(review.score)),
                h('td', null, String(review.candidates.length)),
                h(
                  'td',
                  null,
                  h(
                    'a',
                    { href: `#/reviews/${encodeURIComponent(review.id)}`, class: 'open-review' },
                    `Review ${nameOf(review.subject)}`,
                  ),
                ),
              ),
            ),
          ),
        ),
  );
}

export { nameOf };
