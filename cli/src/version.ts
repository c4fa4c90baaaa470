/**
 * The CLI's own version, from its package.json found by package name: the same file whether this
 * runs from cli/dist (the published package, by self-reference) or from the repository's test
 * build (through the workspace link in node_modules).
 */
export function cliVersion(): string {
  return (require('descent-optim-cli/package.json') as { version: string }).version
}
