#include "ship/md5.h"

#include <openssl/evp.h>

#include <algorithm>
#include <memory>

namespace logdaemon::ship {

namespace {

constexpr size_t kReadPiece = size_t{256} << 10;

struct MdContextDeleter {
  void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};
using MdContext = std::unique_ptr<EVP_MD_CTX, MdContextDeleter>;

}  // namespace

Md5Digest Md5(std::string_view data) {
  Md5Digest digest{};
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest.data(), &length, EVP_md5(), nullptr);
  return digest;
}

Result<Md5Digest> Md5OfFileRange(storage::FileSystem* fs, const std::string& path, uint64_t offset,
                                 uint64_t length) {
  MdContext context(EVP_MD_CTX_new());
  if (!context || EVP_DigestInit_ex(context.get(), EVP_md5(), nullptr) != 1) {
    return Status::NotSupported("MD5 is not available from OpenSSL");
  }
  std::string piece;
  uint64_t done = 0;
  while (done < length) {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(kReadPiece, length - done));
    if (Status st = fs->ReadAt(path, offset + done, want, &piece); !st.ok()) return st;
    if (piece.size() != want)
      return Status::IOError(path + ": shorter than expected (changed while shipped?)");
    EVP_DigestUpdate(context.get(), piece.data(), piece.size());
    done += want;
  }
  Md5Digest digest{};
  unsigned int size = 0;
  EVP_DigestFinal_ex(context.get(), digest.data(), &size);
  return digest;
}

std::string Hex(const Md5Digest& digest) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (uint8_t b : digest) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

std::string Base64(const Md5Digest& digest) {
  unsigned char out[32] = {};
  const int n = EVP_EncodeBlock(out, digest.data(), static_cast<int>(digest.size()));
  return std::string(reinterpret_cast<const char*>(out), static_cast<size_t>(n));
}

}  // namespace logdaemon::ship
