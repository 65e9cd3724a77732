/** Saves text built in the browser (CSV from csv.ts, GeoJSON, ...) as a download. */

export function saveText(filename: string, mime: string, text: string): void {
  saveBlob(filename, new Blob([text], { type: mime }));
}

export function saveBlob(filename: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
