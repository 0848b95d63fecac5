// How the program's own errors begin, wherever they are shown: the Pulumi CLI prints them (they
// are RunErrors, shown without a stack) and the offline check sorts them by these words.

/** A config error: every bad key, its value and what is allowed. */
export const CONFIG_ERROR_TITLE = "invalid stack configuration";

/** A step to do before anything is deployed: `pulumi up` refuses, a preview lists it. */
export const DEPLOY_REFUSED_TITLE = "pulumi up refused";
