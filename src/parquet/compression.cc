#include "parquet/compression.h"

#include <isa-l/crc.h>
#include <lz4.h>
#include <snappy.h>
#include <zlib.h>
// For ZSTD_getCParams: the level's own parameters, which the caps below only ever lower.
#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <string>

namespace logdaemon::parquet {

namespace {

constexpr int kDefaultZstdLevel = 3;
constexpr int kDefaultGzipLevel = 6;
// Caps on a zstd context's tables (log2 of their entries) and window, so that a context stays under
// ~5 MiB at any level: uncapped, the levels from 5 up take 3.5-17 MiB for a 1 MiB page and up to 129 MiB
// for a large dictionary page (level 22), outside any memory budget; levels 1-4 stay under the caps. On
// a 1 MiB page of logs the caps cost level 9 0.3 % and level 19 2.2 % of their output size.
constexpr int kMaxZstdWindowLog = 21;
constexpr int kMaxZstdHashLog = 18;
constexpr int kMaxZstdChainLog = 18;
// With Compress(..., small_alphabet): the shortest match zstd takes (its levels 3-15 take 5, some 4).
constexpr int kSmallAlphabetMinMatch = 6;
constexpr size_t kAlphabetSample = 4096;
constexpr int kSmallAlphabetSymbols = 32;
// LZ4's best case: a block cannot expand by more than this factor.
constexpr size_t kLz4MaxRatio = 255;
// zlib's deflate cannot expand by more than this factor (Deflate's maximum ratio is about 1032:1).
constexpr size_t kDeflateMaxRatio = 1032;

Status SizeMismatch(const char* codec, size_t got, size_t want) {
  return Status::Corruption(std::string(codec) + ": decompressed " + std::to_string(got) +
                            " bytes, page header says " + std::to_string(want));
}

uint32_t LoadBigEndian32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

}  // namespace

struct Compressor::State {
  ZSTD_CCtx* zstd = nullptr;
  int own_min_match = 0;        // the level's (ZSTD_getCParams)
  bool small_alphabet = false;  // what the context is set for now
  ~State() { ZSTD_freeCCtx(zstd); }
};

bool SmallAlphabet(const uint8_t* data, size_t n) {
  const size_t sample = std::min(n, kAlphabetSample);
  bool seen[256] = {};
  int symbols = 0;
  for (const uint8_t* p = data + n - sample; p < data + n; ++p) {
    if (!seen[*p]) {
      seen[*p] = true;
      if (++symbols > kSmallAlphabetSymbols) return false;
    }
  }
  return sample > 0;
}

Compressor::Compressor(Codec codec, int level) : codec_(codec), level_(level), state_(new State) {
  if (codec_ == Codec::kZstd) {
    if (level_ == 0) level_ = kDefaultZstdLevel;
    state_->zstd = ZSTD_createCCtx();
    // The level's parameters for a large input, lowered to the caps where they exceed them (zstd
    // lowers them further for small pages); levels 1-4 are left exactly as zstd has them.
    const ZSTD_compressionParameters own = ZSTD_getCParams(level_, ZSTD_CONTENTSIZE_UNKNOWN, 0);
    ZSTD_CCtx_setParameter(state_->zstd, ZSTD_c_compressionLevel, level_);
    auto cap = [&](ZSTD_cParameter parameter, unsigned value, int max) {
      if (static_cast<int>(value) > max) ZSTD_CCtx_setParameter(state_->zstd, parameter, max);
    };
    cap(ZSTD_c_windowLog, own.windowLog, kMaxZstdWindowLog);
    cap(ZSTD_c_hashLog, own.hashLog, kMaxZstdHashLog);
    cap(ZSTD_c_chainLog, own.chainLog, kMaxZstdChainLog);
    state_->own_min_match = static_cast<int>(own.minMatch);
  } else if (codec_ == Codec::kGzip && level_ == 0) {
    level_ = kDefaultGzipLevel;
  }
}

Compressor::~Compressor() = default;

size_t Compressor::context_bytes() const {
  return state_->zstd == nullptr ? 0 : ZSTD_sizeof_CCtx(state_->zstd);
}

Status Compressor::Check(Codec codec, int level) {
  switch (codec) {
    case Codec::kUncompressed:
    case Codec::kSnappy:
    case Codec::kLz4Raw:
      return Status::OK();
    case Codec::kZstd:
      if (level < 0 || level > ZSTD_maxCLevel()) {
        return Status::InvalidArgument("zstd level must be 1.." + std::to_string(ZSTD_maxCLevel()));
      }
      return Status::OK();
    case Codec::kGzip:
      if (level < 0 || level > 9) return Status::InvalidArgument("gzip level must be 1..9");
      return Status::OK();
    default:
      return Status::NotSupported("writing codec " + CodecName(codec));
  }
}

Status Compressor::Compress(const uint8_t* in, size_t n, ByteBuffer* out, bool small_alphabet) {
  out->clear();
  switch (codec_) {
    case Codec::kUncompressed:
      out->append(in, n);
      return Status::OK();
    case Codec::kSnappy: {
      size_t written = 0;
      uint8_t* dest = out->prepare(snappy::MaxCompressedLength(n));
      snappy::RawCompress(reinterpret_cast<const char*>(in), n, reinterpret_cast<char*>(dest), &written);
      out->commit(written);
      return Status::OK();
    }
    case Codec::kZstd: {
      // Sticky in the context: set only when it changes (0 restores the level's own).
      if (small_alphabet != state_->small_alphabet && state_->own_min_match < kSmallAlphabetMinMatch) {
        ZSTD_CCtx_setParameter(state_->zstd, ZSTD_c_minMatch, small_alphabet ? kSmallAlphabetMinMatch : 0);
        state_->small_alphabet = small_alphabet;
      }
      size_t bound = ZSTD_compressBound(n);
      size_t written = ZSTD_compress2(state_->zstd, out->prepare(bound), bound, in, n);
      if (ZSTD_isError(written)) return Status::IOError(std::string("zstd: ") + ZSTD_getErrorName(written));
      out->commit(written);
      return Status::OK();
    }
    case Codec::kLz4Raw: {
      if (n > static_cast<size_t>(LZ4_MAX_INPUT_SIZE)) return Status::InvalidArgument("lz4: page too large");
      int bound = LZ4_compressBound(static_cast<int>(n));
      int written =
          LZ4_compress_default(reinterpret_cast<const char*>(in),
                               reinterpret_cast<char*>(out->prepare(bound)), static_cast<int>(n), bound);
      if (written <= 0 && n > 0) return Status::IOError("lz4: compression failed");
      out->commit(static_cast<size_t>(written));
      return Status::OK();
    }
    case Codec::kGzip: {
      z_stream stream{};
      // windowBits 15 + 16: a gzip (RFC 1952) wrapper, which is what Parquet's GZIP means.
      if (deflateInit2(&stream, level_, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        return Status::IOError("gzip: deflateInit2 failed");
      }
      size_t bound = deflateBound(&stream, static_cast<uLong>(n));
      stream.next_in = const_cast<Bytef*>(in);
      stream.avail_in = static_cast<uInt>(n);
      stream.next_out = out->prepare(bound);
      stream.avail_out = static_cast<uInt>(bound);
      int rc = deflate(&stream, Z_FINISH);
      size_t written = stream.total_out;
      deflateEnd(&stream);
      if (rc != Z_STREAM_END) return Status::IOError("gzip: deflate failed");
      out->commit(written);
      return Status::OK();
    }
    default:
      return Status::NotSupported("writing codec " + CodecName(codec_));
  }
}

struct Decompressor::State {
  ZSTD_DCtx* zstd = nullptr;
  ~State() { ZSTD_freeDCtx(zstd); }
};

Decompressor::Decompressor() : state_(new State) {}
Decompressor::~Decompressor() = default;
Decompressor::Decompressor(Decompressor&&) noexcept = default;
Decompressor& Decompressor::operator=(Decompressor&&) noexcept = default;

bool CodecSupportedForReading(Codec codec) {
  switch (codec) {
    case Codec::kUncompressed:
    case Codec::kSnappy:
    case Codec::kGzip:
    case Codec::kZstd:
    case Codec::kLz4:
    case Codec::kLz4Raw:
      return true;
    default:
      return false;
  }
}

namespace {

Status InflateGzip(const uint8_t* in, size_t n, size_t uncompressed_size, ByteBuffer* out) {
  z_stream stream{};
  // 15 + 32: accept gzip or zlib headers, as writers differ.
  if (inflateInit2(&stream, 15 + 32) != Z_OK) return Status::IOError("gzip: inflateInit2 failed");
  stream.next_in = const_cast<Bytef*>(in);
  stream.avail_in = static_cast<uInt>(n);
  // One byte more than the header promises, to tell "exactly right" from "too much". The output grows
  // only as data really inflates, so a hostile header cannot make us allocate what it claims.
  size_t limit = uncompressed_size + 1;
  out->resize(std::min(limit, size_t{65536} + kDeflateMaxRatio * n));
  size_t produced = 0;
  Status result;
  while (true) {
    if (produced == out->size()) {
      if (out->size() == limit) {
        result = Status::Corruption("gzip: data inflates past the page header's " +
                                    std::to_string(uncompressed_size) + " bytes");
        break;
      }
      out->resize(std::min(limit, out->size() * 2));
    }
    stream.next_out = out->data() + produced;
    stream.avail_out = static_cast<uInt>(out->size() - produced);
    size_t before = stream.avail_out;
    int rc = inflate(&stream, Z_NO_FLUSH);
    produced += before - stream.avail_out;
    if (rc == Z_STREAM_END) {
      // Several gzip members in one page form one stream: go on with the next member.
      if (stream.avail_in > 0) {
        if (inflateReset(&stream) != Z_OK) {
          result = Status::Corruption("gzip: cannot continue after a member");
          break;
        }
        continue;
      }
      break;
    }
    if (rc == Z_OK) continue;
    if (rc == Z_BUF_ERROR && stream.avail_in > 0 && produced == out->size()) continue;  // needs more room
    if (rc == Z_BUF_ERROR) {
      result = Status::Corruption("gzip: truncated input");
    } else {
      result = Status::Corruption(std::string("gzip: ") + (stream.msg ? stream.msg : "corrupt input"));
    }
    break;
  }
  inflateEnd(&stream);
  if (!result.ok()) return result;
  if (produced != uncompressed_size) return SizeMismatch("gzip", produced, uncompressed_size);
  out->resize(produced);
  return Status::OK();
}

// Hadoop's LZ4 framing: blocks of [u32 BE uncompressed length][u32 BE compressed length][raw LZ4].
bool InflateHadoopLz4(const uint8_t* in, size_t n, size_t uncompressed_size, ByteBuffer* out) {
  out->resize(uncompressed_size);
  size_t produced = 0;
  size_t position = 0;
  while (position < n) {
    if (n - position < 8) return false;
    uint32_t block_uncompressed = LoadBigEndian32(in + position);
    uint32_t block_compressed = LoadBigEndian32(in + position + 4);
    position += 8;
    if (block_compressed > n - position || block_uncompressed > uncompressed_size - produced) return false;
    int got = LZ4_decompress_safe(reinterpret_cast<const char*>(in + position),
                                  reinterpret_cast<char*>(out->data() + produced),
                                  static_cast<int>(block_compressed), static_cast<int>(block_uncompressed));
    if (got < 0 || static_cast<uint32_t>(got) != block_uncompressed) return false;
    produced += block_uncompressed;
    position += block_compressed;
  }
  return produced == uncompressed_size;
}

}  // namespace

Status Decompressor::Decompress(Codec codec, const uint8_t* in, size_t n, size_t uncompressed_size,
                                ByteBuffer* out) {
  out->clear();
  // Writers emit empty pages with no compressed bytes at all (not even an empty frame).
  if (n == 0) {
    if (uncompressed_size == 0) return Status::OK();
    return Status::Corruption(CodecName(codec) + ": empty input for " + std::to_string(uncompressed_size) +
                              " bytes");
  }
  switch (codec) {
    case Codec::kUncompressed:
      if (n != uncompressed_size) return SizeMismatch("uncompressed", n, uncompressed_size);
      out->append(in, n);
      return Status::OK();
    case Codec::kSnappy: {
      size_t length = 0;
      if (!snappy::GetUncompressedLength(reinterpret_cast<const char*>(in), n, &length)) {
        return Status::Corruption("snappy: corrupt input");
      }
      if (length != uncompressed_size) return SizeMismatch("snappy", length, uncompressed_size);
      out->resize(length);
      if (!snappy::RawUncompress(reinterpret_cast<const char*>(in), n,
                                 reinterpret_cast<char*>(out->data()))) {
        return Status::Corruption("snappy: corrupt input");
      }
      return Status::OK();
    }
    case Codec::kZstd: {
      unsigned long long content = ZSTD_getFrameContentSize(in, n);
      if (content == ZSTD_CONTENTSIZE_ERROR) return Status::Corruption("zstd: not a zstd frame");
      if (content != ZSTD_CONTENTSIZE_UNKNOWN && content != uncompressed_size) {
        return SizeMismatch("zstd", static_cast<size_t>(content), uncompressed_size);
      }
      if (!state_) state_ = std::make_unique<State>();  // moved from
      if (state_->zstd == nullptr) state_->zstd = ZSTD_createDCtx();
      out->resize(uncompressed_size);
      size_t got = ZSTD_decompressDCtx(state_->zstd, out->data(), uncompressed_size, in, n);
      if (ZSTD_isError(got)) return Status::Corruption(std::string("zstd: ") + ZSTD_getErrorName(got));
      if (got != uncompressed_size) return SizeMismatch("zstd", got, uncompressed_size);
      return Status::OK();
    }
    case Codec::kLz4Raw: {
      if (uncompressed_size > n * kLz4MaxRatio + 64 || uncompressed_size > INT32_MAX || n > INT32_MAX) {
        return Status::Corruption("lz4: page header size implausible for its input");
      }
      out->resize(uncompressed_size);
      int got = LZ4_decompress_safe(reinterpret_cast<const char*>(in), reinterpret_cast<char*>(out->data()),
                                    static_cast<int>(n), static_cast<int>(uncompressed_size));
      if (got < 0) return Status::Corruption("lz4: corrupt input");
      if (static_cast<size_t>(got) != uncompressed_size) return SizeMismatch("lz4", got, uncompressed_size);
      return Status::OK();
    }
    case Codec::kLz4: {
      if (uncompressed_size > n * kLz4MaxRatio + 64 || uncompressed_size > INT32_MAX || n > INT32_MAX) {
        return Status::Corruption("lz4: page header size implausible for its input");
      }
      if (InflateHadoopLz4(in, n, uncompressed_size, out)) return Status::OK();
      // Some writers labelled raw LZ4 blocks as LZ4: try that before giving up.
      out->resize(uncompressed_size);
      int got = LZ4_decompress_safe(reinterpret_cast<const char*>(in), reinterpret_cast<char*>(out->data()),
                                    static_cast<int>(n), static_cast<int>(uncompressed_size));
      if (got < 0 || static_cast<size_t>(got) != uncompressed_size) {
        return Status::Corruption("lz4: neither Hadoop-framed nor raw LZ4");
      }
      return Status::OK();
    }
    case Codec::kGzip:
      return InflateGzip(in, n, uncompressed_size, out);
    default:
      return Status::NotSupported("codec " + CodecName(codec));
  }
}

uint32_t PageCrc32(const uint8_t* data, size_t n) {
  // ISA-L's folding CRC (PCLMULQDQ/AVX-512): the same CRC-32 as zlib's crc32() (tested), 13x as fast
  // here (67 against 5 GB/s on 1 MiB); pages are checksummed when written and verified when read.
  return crc32_gzip_refl(0, data, n);
}

}  // namespace logdaemon::parquet
