/**
 * Splits a JSON document into the texts of the elements of one array without parsing the whole
 * document: the top-level array, or the `features` array of a top-level object (GeoJSON). Each
 * element is then given to JSON.parse alone, so memory is bounded by the largest element.
 * Strings are tracked (with escapes) so brackets inside them do not count.
 */
export class JsonElementScanner {
  #depth = 0;
  #inString = false;
  #escape = false;
  /** 'array' for `[...]`, 'object' for `{...}`; set by the first significant character. */
  root: 'array' | 'object' | undefined;
  /** Whether a root object had a `features` array (a GeoJSON FeatureCollection). */
  sawFeatures = false;
  #elementDepth = 1;
  #capture: string[] | undefined;
  #lastString = '';
  #stringStart = -1;
  #stringParts: string[] = [];
  #key: string | undefined;
  #afterColon = false;
  #inFeatures = false;

  /** Feeds the next decoded chunk; returns the element texts completed in it. */
  feed(chunk: string): string[] {
    const done: string[] = [];
    let captureStart = this.#capture === undefined ? -1 : 0;
    if (this.#inString) this.#stringStart = 0;
    for (let i = 0; i < chunk.length; i += 1) {
      const ch = chunk.charCodeAt(i);
      if (this.#inString) {
        if (this.#escape) this.#escape = false;
        else if (ch === 92) this.#escape = true;
        else if (ch === 34) {
          this.#inString = false;
          if (this.#depth === 1 && this.root === 'object') {
            this.#stringParts.push(chunk.slice(this.#stringStart, i));
            this.#lastString = this.#stringParts.join('');
            this.#stringParts = [];
          }
        }
        continue;
      }
      if (ch === 32 || ch === 10 || ch === 13 || ch === 9 || ch === 0xfeff) continue;
      if (this.root === undefined) {
        if (ch === 91) this.root = 'array';
        else if (ch === 123) this.root = 'object';
        else throw new SyntaxError('the file does not start with a JSON array or object');
      }
      const atElementLevel =
        this.#depth === this.#elementDepth && (this.root === 'array' || this.#inFeatures);
      if (atElementLevel && this.#capture === undefined && ch !== 44 && ch !== 93) {
        this.#capture = [];
        captureStart = i;
      }
      if (ch === 34) {
        this.#inString = true;
        this.#stringStart = i + 1;
      } else if (ch === 91 || ch === 123) {
        if (
          this.#depth === 1 &&
          this.root === 'object' &&
          this.#afterColon &&
          this.#key === 'features' &&
          ch === 91
        ) {
          this.#inFeatures = true;
          this.sawFeatures = true;
          this.#elementDepth = 2;
        }
        this.#depth += 1;
      } else if (ch === 93 || ch === 125) {
        if (this.#depth === this.#elementDepth && this.#capture !== undefined) {
          done.push(this.#finish(chunk, captureStart, i));
          captureStart = -1;
        }
        this.#depth -= 1;
        if (this.#depth === 1 && this.#inFeatures) this.#inFeatures = false;
      } else if (ch === 44 && this.#depth === this.#elementDepth && this.#capture !== undefined) {
        done.push(this.#finish(chunk, captureStart, i));
        captureStart = -1;
      }
      if (this.#depth === 1 && this.root === 'object') this.#trackTopLevel(ch);
    }
    if (this.#capture !== undefined && captureStart >= 0)
      this.#capture.push(chunk.slice(captureStart));
    if (this.#inString && this.#depth === 1 && this.root === 'object')
      this.#stringParts.push(chunk.slice(this.#stringStart));
    return done;
  }

  /** Remembers the key of the current member of the root object (the string before a colon). */
  #trackTopLevel(ch: number): void {
    if (ch === 58) {
      this.#key = this.#lastString;
      this.#afterColon = true;
    } else if (ch === 44) {
      this.#afterColon = false;
    }
  }

  #finish(chunk: string, start: number, end: number): string {
    const parts = this.#capture ?? [];
    parts.push(chunk.slice(Math.max(0, start), end));
    this.#capture = undefined;
    return parts.join('').trim();
  }

  /** Throws when the document ended inside a value. */
  end(): void {
    if (this.root === undefined || this.#depth !== 0 || this.#inString)
      throw new SyntaxError('the JSON text ends before it is complete');
  }
}
