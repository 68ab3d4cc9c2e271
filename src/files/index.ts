export type { BlobStore, ByteRange, StoredBlob } from './blob-store.js';
export { LocalBlobStore } from './local-blob-store.js';
export { S3BlobStore, type S3BlobStoreOptions } from './s3-blob-store.js';
export { createBlobStore } from './create-blob-store.js';
export {
  detectMediaType,
  isTextMediaType,
  mediaTypeHeadBytes,
  type DetectedMediaType,
} from './media-type.js';
export { multipartPlugin, uploadFormLimits } from './multipart-plugin.js';
export { receiveUpload, type ReceivedUpload } from './upload.js';
export { sendBlob, type SendBlobOptions } from './download.js';
export { parseRangeHeader } from './byte-range.js';
export { attachmentDisposition, cleanFileName } from './file-name.js';
