// Imported first by index.ts: in a source checkout, the bundle refuses to serve policies older
// than the sources beside it (see assertPackBundleCurrent); then the Pulumi SDK's index is
// deferred before the policy SDK loads (see lazy-sdk.ts).
import { assertPackBundleCurrent } from "./bundle";
import { deferPulumiIndex } from "./lazy-sdk";

assertPackBundleCurrent(__dirname);
deferPulumiIndex();
