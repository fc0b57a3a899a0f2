// Types of eslint.layers.js, for the test that reads its exceptions (scripts/lint-layers.test.ts).
import type { Linter } from 'eslint';

export declare const LAYERS: ReadonlyArray<ReadonlyArray<readonly [string, string | string[]]>>;
export declare const TEMPORARY_EXCEPTIONS: ReadonlyArray<{ from: string; to: string }>;
export declare function layerConfig(boundaries: unknown): Linter.Config;
