/**
 * Abbreviations and nicknames that stand for one given name, folded to upper case without accents
 * or periods. A name missing here still matches through its initial or through Jaro-Winkler.
 */
// biome-ignore format: a table reads best as one
const TABLE: Record<string, readonly string[]> = {
  MARIA: ['MA', 'MAR', 'MARY'],
  JOSE: ['JS', 'PEPE', 'CHEPE'],
  JUAN: ['JN'],
  JESUS: ['JS', 'CHUY', 'CHUCHO'],
  FRANCISCO: ['FCO', 'FRANCO', 'PACO', 'PANCHO', 'FRANK'],
  GUADALUPE: ['GPE', 'LUPE', 'LUPITA'],
  CONCEPCION: ['CONCHA', 'CONCHITA', 'CONCEP'],
  CONSUELO: ['CHELO'],
  ALEJANDRO: ['ALEX', 'ALEJ'],
  ANTONIO: ['ANT', 'TONO'],
  MIGUEL: ['MIG'],
  GUILLERMO: ['MEMO', 'GMO'],
  ROBERT: ['BOB', 'BOBBY', 'ROB', 'ROBBIE', 'BERT'],
  WILLIAM: ['BILL', 'BILLY', 'WILL', 'WILLY', 'LIAM', 'WM'],
  ELIZABETH: ['LIZ', 'LIZZIE', 'BETH', 'BETTY', 'ELIZ', 'ELIZA'],
  JAMES: ['JIM', 'JIMMY', 'JAS'],
  JOHN: ['JOHNNY', 'JACK', 'JNO'],
  MICHAEL: ['MIKE', 'MICKEY', 'MICH'],
  DAVID: ['DAVE', 'DAVEY'],
  DANIEL: ['DAN', 'DANNY'],
  CHRISTOPHER: ['CHRIS', 'CHRISTOPH'],
  ANTHONY: ['TONY'],
  THOMAS: ['TOM', 'TOMMY', 'THOS'],
  RICHARD: ['RICK', 'RICH', 'DICK'],
  EDWARD: ['ED', 'EDDIE', 'TED'],
  PATRICIA: ['PATTY', 'PATSY', 'TRISH', 'PATY'],
  DEBORAH: ['DEB', 'DEBBIE', 'DEBRA'],
  REBECCA: ['BECKY', 'BECCA'],
  JENNIFER: ['JEN', 'JENNY'],
  KATHERINE: ['KATE', 'KATHY', 'KATIE', 'CATHERINE'],
  MARGARET: ['MAGGIE', 'PEGGY', 'MEG'],
  SAMANTHA: ['SAM', 'SAMMY'],
  JOSEPH: ['JOE', 'JOEY'],
  STEVEN: ['STEVE'],
  MATTHEW: ['MATT'],
  KENNETH: ['KEN', 'KENNY'],
  RONALD: ['RON', 'RONNIE'],
  TIMOTHY: ['TIM'],
  JEFFREY: ['JEFF'],
  ANDREW: ['ANDY', 'DREW'],
  JOSHUA: ['JOSH'],
};

const CANONICAL = new Map<string, string>();
// A form listed twice (`JS`: José or Jesús) stands for the first name listing it.
for (const [name, forms] of Object.entries(TABLE)) {
  for (const form of forms) if (!CANONICAL.has(form)) CANONICAL.set(form, name);
}

const SPELLED_FORMS = new Map(
  Object.entries(TABLE).map(([name, forms]) => [name, forms.filter((form) => form.length > 2)]),
);

/**
 * The nicknames and abbreviations of a full given name that are compared by their spelling: those
 * longer than two letters. A shorter one (`JS`) is told apart by `canonicalGivenName` alone.
 */
export const spelledShortFormsOf = (name: string): readonly string[] =>
  SPELLED_FORMS.get(name) ?? [];

/** The full given name an abbreviation or nickname stands for, or the word itself. */
export const canonicalGivenName = (word: string): string => CANONICAL.get(word) ?? word;

/** Given names so common that sharing one says little (`María` of `María Guadalupe`). */
export const COMMON_GIVEN_NAMES: ReadonlySet<string> = new Set(['MARIA', 'JOSE', 'JUAN', 'JESUS']);
