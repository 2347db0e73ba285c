// The view library (vendored Preact 10 + htm, see scripts/vendor_assets.json), in one place.
export {
  html,
  render,
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState,
} from "../vendor/preact-htm.mjs";
