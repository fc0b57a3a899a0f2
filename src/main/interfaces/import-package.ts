/**
 * Imports a package when called, with a specifier the headless bundler cannot see: the chat SDKs
 * (discord.js, grammY) then stay out of out/headless/cli.js, so a hub that does not use them never
 * parses them at start. Node resolves the package from node_modules as usual.
 */
export async function importPackage<T>(name: string): Promise<T> {
  return (await import(name)) as T;
}
