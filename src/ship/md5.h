// MD5 digests for S3's integrity checks (OpenSSL's EVP): Content-MD5 (base64 of the digest) on every
// request with a body, and the ETag S3 answers (hex of the digest; a multipart object's is the hex of
// the MD5 of its parts' digests, then "-<parts>").
//
// Thread-safety: plain functions and a value type.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "logdaemon/status.h"
#include "storage/fs.h"

namespace logdaemon::ship {

using Md5Digest = std::array<uint8_t, 16>;

Md5Digest Md5(std::string_view data);
// The digest of bytes [offset, offset + length) of a file, read through `fs` in pieces.
Result<Md5Digest> Md5OfFileRange(storage::FileSystem* fs, const std::string& path, uint64_t offset,
                                 uint64_t length);
std::string Hex(const Md5Digest& digest);
std::string Base64(const Md5Digest& digest);

}  // namespace logdaemon::ship
