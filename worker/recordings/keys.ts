/**
 * The object key of a recording in Whereby's layout, `<room name>-<UTC start, ISO-8601>.mp4`,
 * so the transcription pipeline takes Daily's recordings as it takes Whereby's:
 * `myroom-20261124101500-2026-11-24T10:15:02Z.mp4`.
 */
export function recordingObjectKey(providerRoomName: string, startedAtMs: number): string {
  return `${recordingBaseName(providerRoomName, startedAtMs)}.mp4`;
}

/** Where the files of a raw-tracks recording go: the same name, as a folder. */
export function recordingKeyPrefix(providerRoomName: string, startedAtMs: number): string {
  return `${recordingBaseName(providerRoomName, startedAtMs)}/`;
}

function recordingBaseName(providerRoomName: string, startedAtMs: number): string {
  const start = new Date(Math.floor(startedAtMs / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  return `${providerRoomName.replace(/^\//, '')}-${start}`;
}
