/** JSON TEXT columns: encode on write (clear error for non-JSON), decode on read. */
import { decodeJson, encodeJson } from '../json-value.js';

export const toJson = (value: unknown, where: string): string => encodeJson(value, where);
export const fromJson = <T>(text: string, where: string): T => decodeJson<T>(text, where);
export const nowSeconds = (): number => Date.now() / 1000;
