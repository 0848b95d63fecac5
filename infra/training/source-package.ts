// The training code as SageMaker's framework containers take it: a gzipped tar of the entry point
// and the modules beside it (`sourcedir.tar.gz`), named in the bucket by a digest of its content.
//
// The archive is built here, byte for byte reproducible (sorted entries, fixed mode, owner and
// time, no platform byte in the gzip header), so that the same code always gives the same key and
// unchanged code never looks new. The training toolkit downloads the archive named by the
// `sagemaker_submit_directory` hyperparameter and unpacks it as the working directory of the
// `sagemaker_program` script:
// https://github.com/aws/sagemaker-training-toolkit/blob/master/src/sagemaker_training/files.py
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import { trainingCodeFiles } from "../components/training-host";

/** One file of the archive. */
export interface ArchiveEntry {
  /** Path inside the archive (relative, `/`-separated, at most 100 bytes). */
  name: string;
  data: Buffer;
}

/** The packaged training code. */
export interface SourcePackage {
  /** Files in the archive, sorted. */
  files: string[];
  /** The gzipped tar, ready to upload. */
  archive: Buffer;
  /** sha256 (hex) of the uncompressed tar: the content the key is named after. */
  sha256: string;
  /** Object key: `${keyPrefix}sourcedir-<first 12 hex of sha256>.tar.gz`. */
  key: string;
}

const BLOCK = 512;
/** 2000-01-01T00:00:00Z: any fixed time works; tar tools warn about a zero one. */
const FIXED_MTIME = 946684800;

function octal(value: number, width: number): string {
  // `width - 1` octal digits and a NUL, as ustar numeric fields are written.
  return value.toString(8).padStart(width - 1, "0") + "\0";
}

/** One ustar header block for a regular file. https://www.gnu.org/software/tar/manual/html_node/Standard.html */
function header(name: string, size: number): Buffer {
  const nameBytes = Buffer.from(name, "utf8");
  if (nameBytes.length === 0 || nameBytes.length > 100) {
    throw new Error(`archive entry name must be 1-100 bytes: ${JSON.stringify(name)}`);
  }
  if (name.startsWith("/") || name.split("/").includes("..")) {
    throw new Error(`archive entry name must be a relative path inside the archive: ${name}`);
  }
  const h = Buffer.alloc(BLOCK, 0);
  nameBytes.copy(h, 0);
  h.write(octal(0o644, 8), 100, "ascii");
  h.write(octal(0, 8), 108, "ascii"); // uid
  h.write(octal(0, 8), 116, "ascii"); // gid
  h.write(octal(size, 12), 124, "ascii");
  h.write(octal(FIXED_MTIME, 12), 136, "ascii");
  h.write("        ", 148, "ascii"); // checksum field counts as spaces while summing
  h.write("0", 156, "ascii"); // regular file
  h.write("ustar\0", 257, "ascii");
  h.write("00", 263, "ascii");
  h.write("root", 265, "ascii"); // uname
  h.write("root", 297, "ascii"); // gname
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(sum.toString(8).padStart(6, "0") + "\0 ", 148, "ascii");
  return h;
}

/** A ustar archive of `entries`, in name order, with fixed metadata. */
export function tarArchive(entries: readonly ArchiveEntry[]): Buffer {
  const sorted = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].name === sorted[i - 1].name)
      throw new Error(`duplicate archive entry ${sorted[i].name}`);
  }
  const parts: Buffer[] = [];
  for (const e of sorted) {
    parts.push(header(e.name, e.data.length), e.data);
    const pad = (BLOCK - (e.data.length % BLOCK)) % BLOCK;
    if (pad > 0) parts.push(Buffer.alloc(pad, 0));
  }
  parts.push(Buffer.alloc(2 * BLOCK, 0)); // end of archive
  return Buffer.concat(parts);
}

/**
 * Gzip with a header that does not depend on the machine: no name, zero time (node's default),
 * and OS byte 255 ("unknown") instead of the builder's platform. https://www.rfc-editor.org/rfc/rfc1952#section-2.3
 */
export function reproducibleGzip(data: Buffer): Buffer {
  const gz = zlib.gzipSync(data, { level: 9 });
  gz[9] = 255;
  return gz;
}

/**
 * Packs the training code of `codeDir` (its Python modules and requirements.txt, no tests) as
 * `sourcedir.tar.gz` named `${keyPrefix}sourcedir-<sha256-12>.tar.gz`.
 */
export function packSourceDir(codeDir: string, keyPrefix: string): SourcePackage {
  const files = trainingCodeFiles(codeDir);
  if (!files.includes("train.py")) {
    throw new Error(`training code folder ${codeDir} has no train.py (the job's entry point)`);
  }
  if (!files.includes("requirements.txt")) {
    throw new Error(`training code folder ${codeDir} has no requirements.txt`);
  }
  const tar = tarArchive(
    files.map((name) => ({ name, data: fs.readFileSync(path.join(codeDir, name)) })),
  );
  const sha256 = createHash("sha256").update(tar).digest("hex");
  return {
    files,
    archive: reproducibleGzip(tar),
    sha256,
    key: `${keyPrefix}sourcedir-${sha256.slice(0, 12)}.tar.gz`,
  };
}
