/** An admin path keeping the request's `locale` param (server side of app/components/use-app-path.ts). */
export function appPath(request: Request, path: string): string {
  const locale = new URL(request.url).searchParams.get("locale");
  if (!locale) return path;
  const url = new URL(path, "http://x");
  url.searchParams.set("locale", locale);
  return `${url.pathname}${url.search}`;
}
