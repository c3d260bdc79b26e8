import fc from "fast-check";

// CI replays one fixed seed so a green run is reproducible; locally every run explores new cases.
// A failure prints its seed and path: replay it with fc.assert(..., { seed, path })
if (process.env.CI === "true") fc.configureGlobal({ seed: 20_261_122 });
