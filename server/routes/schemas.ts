/** Moved to server/contract/common.ts (the HTTP contract); kept so routes written against it still build. */
export { problemResponses } from '../contract/common.js';
