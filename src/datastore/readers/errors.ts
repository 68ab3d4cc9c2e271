import { AppError } from '../../lib/errors.js';

/**
 * A file the ingest cannot read at all (corrupt, encrypted, too large, a zip bomb). The message
 * is written for the publisher, who fixes the file and uploads it again.
 */
export class UnreadableSource extends AppError {
  constructor(message: string) {
    super(422, 'UNREADABLE_SOURCE', message);
  }
}
