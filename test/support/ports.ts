// Tests take free ports the way the demo does.
export { freePort } from '../../cmd/free_port.js';
