// Uploads with progress: XMLHttpRequest where it exists (fetch has no upload progress in browsers),
// fetch elsewhere (Node 22), reporting only the end.
export interface UploadProgress {
  loaded: number;
  total: number;
}

export interface SendBytesOptions {
  method: "POST" | "PUT";
  url: string;
  body: Blob;
  headers: Record<string, string>;
  onProgress?: (progress: UploadProgress) => void;
  signal?: AbortSignal;
  fetch: typeof fetch;
}

/** Sends bytes; resolves with the answer as a Response (status, headers, body) either way. */
export function sendBytes(opts: SendBytesOptions): Promise<Response> {
  if (typeof XMLHttpRequest === "undefined") {
    return opts.fetch(opts.url, { method: opts.method, body: opts.body, headers: opts.headers, signal: opts.signal }).then((res) => {
      opts.onProgress?.({ loaded: opts.body.size, total: opts.body.size });
      return res;
    });
  }
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(opts.method, opts.url);
    for (const [name, value] of Object.entries(opts.headers)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (e) => opts.onProgress?.({ loaded: e.loaded, total: e.lengthComputable ? e.total : opts.body.size });
    xhr.onload = () => {
      const headers = new Headers();
      for (const line of xhr.getAllResponseHeaders().trim().split(/\r?\n/)) {
        const at = line.indexOf(":");
        if (at > 0) headers.append(line.slice(0, at).trim(), line.slice(at + 1).trim());
      }
      // 204/304 cannot carry a body in the Response constructor.
      const body = xhr.status === 204 || xhr.status === 304 ? null : xhr.responseText;
      resolve(new Response(body, { status: xhr.status, headers }));
    };
    xhr.onerror = () => reject(new TypeError("upload failed: network error"));
    xhr.onabort = () => reject(new DOMException("upload aborted", "AbortError"));
    opts.signal?.addEventListener("abort", () => xhr.abort());
    xhr.send(opts.body);
  });
}
