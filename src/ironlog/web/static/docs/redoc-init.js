// Starts ReDoc on /redoc (an external module: the Content-Security-Policy forbids inline scripts).
// @ts-ignore - the vendored bundle has no types here
import { init } from "../vendor/redoc/redoc.standalone.js";

init("/openapi.json", {}, document.getElementById("redoc"));
