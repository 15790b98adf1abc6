import { swappedDayMonth } from './dates.ts';
import type { PersonName } from './names.ts';
import { canonicalGivenName } from './nicknames.ts';
import { soundKey } from './phonetic.ts';
import type { PreparedSubject } from './subject.ts';

/**
 * Blocking keys: only patients sharing a key with a subject are compared. Date of birth alone;
 * birth year with the sound of the paternal surname (catches a mistyped day or month); the
 * paternal surname's sound with the initial of the first given name written in full (`Bob` as
 * Robert), which catches a wrong or missing date.
 */
export function blockingKeys(names: readonly PersonName[], births: readonly string[]): string[] {
  const keys = new Set<string>();
  for (const birth of births) keys.add(`d${birth}`);
  for (const name of names) {
    const paternal = name.surnames[0];
    if (!paternal) continue;
    const sound = soundKey(paternal);
    for (const birth of births) keys.add(`y${birth.slice(0, 4)}${sound}`);
    const first = name.given[0];
    const initial = first && canonicalGivenName(first)[0];
    if (initial) keys.add(`s${sound}${initial}`);
  }
  return [...keys];
}

/** A subject's keys also look up its date read the other way round (DMY taken for MDY). */
export function subjectBlockingKeys(subject: PreparedSubject): string[] {
  const keys = blockingKeys(subject.names, subject.birth ? [subject.birth] : []);
  const swapped = subject.birth ? swappedDayMonth(subject.birth) : null;
  return swapped ? [...keys, `d${swapped}`] : keys;
}
