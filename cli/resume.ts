import { readFile, rename, writeFile } from 'node:fs/promises';

/** What a resume file remembers of one local file. */
export interface RememberedFile {
  sha256: string;
  /** Set once the API accepted the file. */
  documentId?: string;
  /** Sent, with no answer yet: the API may have accepted it. */
  sending?: boolean;
}

export interface ResumeState {
  url: string;
  batchId: string;
  files: Record<string, RememberedFile>;
}

/**
 * The resume file of an upload: the batch and what became of each file, rewritten (whole, then
 * renamed into place) after every change, so an interrupted run can be continued by the next.
 */
export class ResumeFile {
  private writes = Promise.resolve();

  private constructor(
    private readonly file: string | undefined,
    readonly state: ResumeState,
  ) {}

  /** The state kept at `file`, if it holds one for the API at `url`. */
  static async read(file: string | undefined, url: string): Promise<ResumeState | null> {
    if (!file) return null;
    const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw error;
    });
    if (text === null) return null;
    const state = JSON.parse(text) as ResumeState;
    return state.url === url ? state : null;
  }

  /** A resume file for `state`, kept at `file`, or only in memory when there is none. */
  static async start(file: string | undefined, state: ResumeState): Promise<ResumeFile> {
    const resume = new ResumeFile(file, state);
    await resume.save();
    return resume;
  }

  sending(path: string, sha256: string): Promise<void> {
    this.state.files[path] = { sha256, sending: true };
    return this.save();
  }

  accepted(path: string, sha256: string, documentId: string): Promise<void> {
    this.state.files[path] = { sha256, documentId };
    return this.save();
  }

  refused(path: string): Promise<void> {
    delete this.state.files[path];
    return this.save();
  }

  private save(): Promise<void> {
    const { file } = this;
    if (!file) return Promise.resolve();
    const snapshot = JSON.stringify(this.state, null, 2);
    this.writes = this.writes.then(async () => {
      await writeFile(`${file}.tmp`, snapshot);
      await rename(`${file}.tmp`, file);
    });
    return this.writes;
  }
}
