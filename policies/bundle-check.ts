// Imported first by index.ts: in a source checkout, the bundle refuses to serve policies older
// than the sources beside it (see assertPackBundleCurrent).
import { assertPackBundleCurrent } from "./bundle";

assertPackBundleCurrent(__dirname);
