/**
 * Splits cases that show the same symptom into topics: the words their ids and inputs share.
 * When a target prints nothing at all, every case shows the same symptom; what tells their
 * causes apart is what they exercise — `loop_controls` and `loop_over_none` both loop, and
 * their inputs both say `loop`. A word most of a phase uses (`for`, `in`) names no feature,
 * so only words rare in the phase count, and rarer words weigh more.
 */
import { idTokens } from '../util/word-tokens.js';

export interface Worded {
  id: string;
  features?: string[];
}

export interface TopicGroup<T> {
  /** The words its cases share, the broadest first. */
  words: string[];
  cases: T[];
}

/**
 * Where a word must be for a case to count as having it: in its id; in its input, when two or
 * more ids of the phase name the word (the suite's own word for a feature: `filter`, `include`);
 * anywhere.
 */
type Where = 'name' | 'known' | 'all';

/** A case's words: from its id and from its input. */
interface Words {
  name: Set<string>;
  all: Set<string>;
}

/** The words of every case of one phase, and how many cases use each. */
export class WordStats<T extends Worded> {
  private readonly words = new Map<T, Words>();
  private readonly df = new Map<string, number>();
  private readonly named = new Set<string>();
  private readonly total: number;
  private readonly rareMax: number;
  private readonly rareNameMax: number;

  /**
   * A word used by more than a quarter of the phase's cases is not a topic, unless it is in the
   * ids of up to a third of them: ids are named on purpose, inputs say `for` and `in` everywhere.
   */
  constructor(cases: readonly T[]) {
    const idCount = new Map<string, number>();
    for (const c of cases) {
      const name = new Set(idTokens(c.id));
      const all = new Set([...name, ...(c.features ?? [])]);
      this.words.set(c, { name, all });
      for (const w of all) this.df.set(w, (this.df.get(w) ?? 0) + 1);
      for (const w of name) idCount.set(w, (idCount.get(w) ?? 0) + 1);
    }
    for (const [w, n] of idCount) if (n >= 2) this.named.add(w);
    this.total = cases.length;
    this.rareMax = Math.max(2, Math.ceil(cases.length / 4));
    this.rareNameMax = Math.max(2, Math.ceil(cases.length / 3));
  }

  /** The case's words that count at `where`. */
  wordsOf(c: T, where: Where): string[] {
    const w = this.words.get(c);
    if (!w) return [];
    if (where === 'name') return [...w.name];
    return where === 'all' ? [...w.all] : [...w.all].filter((x) => this.named.has(x));
  }

  inId(c: T, word: string): boolean {
    return this.words.get(c)?.name.has(word) ?? false;
  }

  isRare(word: string, where: Where): boolean {
    return this.count(word) <= (where === 'name' ? this.rareNameMax : this.rareMax);
  }

  count(word: string): number {
    return this.df.get(word) ?? 0;
  }

  /** How strongly a word ties a case to a topic: rarer is stronger, and a word of its own id strongest. */
  weight(c: T, word: string): number {
    const specific = Math.log((this.total + 1) / Math.max(1, this.count(word)));
    if (this.inId(c, word)) return 3 * specific;
    return (this.named.has(word) ? 2 : 1) * specific;
  }
}

/**
 * Greedy cover, first by the words of the ids (authors name tests after what they test), then
 * by input words that other ids name, then by any rare input word. Each step takes the word with the highest weight summed over the
 * remaining cases that have it, as long as two or more have it and not all of `cases` do.
 * A word with more than `maxSize` cases is split again by the next words (see splitLarge).
 * Ties go to the rarer word, then the alphabetically first, so the result depends only on the
 * cases. Cases that share no such word with another remaining case are `rest`.
 */
export function splitByTopic<T extends Worded>(
  cases: readonly T[],
  stats: WordStats<T>,
  maxSize: number,
  used: ReadonlySet<string> = new Set(),
): { groups: Array<TopicGroup<T>>; rest: T[] } {
  let remaining = [...cases];
  const groups: Array<TopicGroup<T>> = [];
  for (const where of ['name', 'known', 'all'] as const) {
    const tally = new Tally(remaining, stats, where);
    for (;;) {
      const best = tally.best(cases.length, used);
      if (best === null) break;
      const has = (c: T) => stats.wordsOf(c, where).includes(best);
      const members = remaining.filter(has);
      remaining = remaining.filter((c) => !has(c));
      for (const c of members) tally.remove(c);
      groups.push(...(members.length <= maxSize ? [{ words: [best], cases: members }] : splitLarge(best, members, stats, maxSize, used)));
    }
  }
  return { groups, rest: remaining };
}

/**
 * A word's cases beyond `maxSize`, split by the next words; then the smallest parts are folded
 * back into the word's own group while it stays within `maxSize`, so a big topic becomes a few
 * parts, not many pairs.
 */
function splitLarge<T extends Worded>(word: string, members: T[], stats: WordStats<T>, maxSize: number, used: ReadonlySet<string>): Array<TopicGroup<T>> {
  const inner = splitByTopic(members, stats, maxSize, new Set([...used, word]));
  const parts = inner.groups.map((g) => ({ words: [word, ...g.words], cases: g.cases }));
  parts.sort((a, b) => a.cases.length - b.cases.length);
  const own = new Set(inner.rest);
  while (parts.length > 0 && own.size + parts[0]!.cases.length <= maxSize) for (const c of parts.shift()!.cases) own.add(c);
  const ownGroup = { words: [word], cases: members.filter((c) => own.has(c)) };
  return ownGroup.cases.length > 0 ? [ownGroup, ...parts] : parts;
}

/** Per word, how many remaining cases have it and their summed weight; updated as cases leave. */
class Tally<T extends Worded> {
  private readonly n = new Map<string, number>();
  private readonly score = new Map<string, number>();

  constructor(
    cases: readonly T[],
    private readonly stats: WordStats<T>,
    private readonly where: Where,
  ) {
    for (const c of cases) this.add(c, 1);
  }

  remove(c: T): void {
    this.add(c, -1);
  }

  private add(c: T, sign: 1 | -1): void {
    for (const w of this.stats.wordsOf(c, this.where)) {
      this.n.set(w, (this.n.get(w) ?? 0) + sign);
      this.score.set(w, (this.score.get(w) ?? 0) + sign * this.stats.weight(c, w));
    }
  }

  /** The best word that 2 or more remaining cases have but fewer than `whole`. */
  best(whole: number, used: ReadonlySet<string>): string | null {
    let best: string | null = null;
    for (const [word, n] of this.n) {
      if (n < 2 || n >= whole || used.has(word) || !this.stats.isRare(word, this.where)) continue;
      if (best === null || this.better(word, best)) best = word;
    }
    return best;
  }

  private better(a: string, b: string): boolean {
    // Sums of the same logarithms in another order may differ in the last bits: compare with slack.
    const sa = this.score.get(a) ?? 0;
    const sb = this.score.get(b) ?? 0;
    if (Math.abs(sa - sb) > 1e-9) return sa > sb;
    if (this.stats.count(a) !== this.stats.count(b)) return this.stats.count(a) < this.stats.count(b);
    return a < b;
  }
}
