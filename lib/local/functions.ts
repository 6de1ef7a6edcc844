import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LocalHandler } from './invocation';

/** `NAME=PATH[#export]`: a local target function, a module on disk (PATH relative to `baseDir`). */
export interface FunctionSpec {
  name: string;
  path: string;
  exportName: string;
  /** When an invocation is ended as timed out (Lambda's Sandbox.Timedout); default 15 minutes. */
  timeoutMs?: number;
}

export const LOCAL_CONFIG_FILE = 'sundial.local.json';

/** A function in sundial.local.json: `PATH[#export]`, or that as `handler` with a timeout. */
type FunctionEntry = string | { handler: string; timeoutSeconds?: number };

/** The shape of sundial.local.json. */
export interface LocalConfigFile {
  functions?: Record<string, FunctionEntry>;
  targetPrefixes?: string[];
}

export function parseFunctionSpec(spec: string, baseDir: string): FunctionSpec {
  const eq = spec.indexOf('=');
  if (eq <= 0 || eq === spec.length - 1) {
    throw new Error(`--function expects NAME=PATH[#export], got '${spec}'`);
  }
  return functionFromEntry(spec.slice(0, eq), spec.slice(eq + 1), baseDir);
}

function functionFromEntry(name: string, entry: FunctionEntry, baseDir: string): FunctionSpec {
  const { handler, timeoutSeconds } =
    typeof entry === 'string' ? { handler: entry, timeoutSeconds: undefined } : entry;
  if (typeof handler !== 'string' || (timeoutSeconds !== undefined && !(timeoutSeconds > 0))) {
    throw new Error(
      `${LOCAL_CONFIG_FILE}: function ${name} must be "PATH[#export]" or { "handler": "PATH[#export]", "timeoutSeconds": N }`,
    );
  }
  const [path = '', exportName = 'handler'] = handler.split('#');
  const timeoutMs = timeoutSeconds === undefined ? undefined : timeoutSeconds * 1000;
  return { name, path: isAbsolute(path) ? path : resolve(baseDir, path), exportName, timeoutMs };
}

export function readLocalConfig(dir: string): { functions: FunctionSpec[]; targetPrefixes?: string[] } {
  const file = resolve(dir, LOCAL_CONFIG_FILE);
  if (!existsSync(file)) return { functions: [] };
  const config = JSON.parse(readFileSync(file, 'utf8')) as LocalConfigFile;
  return {
    functions: Object.entries(config.functions ?? {}).map(([name, target]) =>
      functionFromEntry(name, target, dir),
    ),
    targetPrefixes: config.targetPrefixes,
  };
}

/** Imports the module and returns the named export, which must be a function. */
export async function loadHandler(spec: FunctionSpec): Promise<LocalHandler> {
  if (!existsSync(spec.path)) throw new Error(`function ${spec.name}: no file at ${spec.path}`);
  const module = (await import(pathToFileURL(spec.path).href)) as Record<string, unknown>;
  const handler = module[spec.exportName];
  if (typeof handler !== 'function') {
    throw new Error(`function ${spec.name}: ${spec.path} has no exported function '${spec.exportName}'`);
  }
  return handler as LocalHandler;
}
