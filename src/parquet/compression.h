// Page compression for the codecs logdaemon writes (UNCOMPRESSED, SNAPPY, GZIP, ZSTD, LZ4_RAW) and
// reads (those, plus the deprecated Hadoop-framed LZ4), and the page CRC. Compressor and Decompressor
// keep their codec state (zstd contexts, zlib streams) across pages, so a page allocates nothing in the
// steady state.
//
// Thread-safety: none; one Compressor / Decompressor per thread.
#pragma once

#include <cstdint>
#include <memory>

#include "logdaemon/status.h"
#include "parquet/byte_buffer.h"
#include "parquet/format.h"

namespace logdaemon::parquet {

class Compressor {
 public:
  // level: zstd 1..22 (0: 3), gzip 1..9 (0: 6); other codecs ignore it. A zstd context's window and
  // tables are capped (compression.cc) so that it stays under ~5 MiB at any level.
  Compressor(Codec codec, int level);
  ~Compressor();
  Compressor(const Compressor&) = delete;
  Compressor& operator=(const Compressor&) = delete;

  // InvalidArgument / NotSupported for what cannot be written.
  static Status Check(Codec codec, int level);
  Codec codec() const { return codec_; }

  // Clears *out, then writes the compressed form of [in, in + n). small_alphabet: the bytes come from
  // a few symbols (hex ids, digits; see SmallAlphabet): zstd then takes no match shorter than 6 bytes,
  // because in such bytes most short matches are coincidences that cost more than the literals they
  // replace (random hex: 3 % above its entropy at level 3, 5 % at level 9; 0.04 % without them).
  // The other codecs ignore it.
  Status Compress(const uint8_t* in, size_t n, ByteBuffer* out, bool small_alphabet = false);

  // Bytes the codec's state holds between pages (a zstd context and its workspace; 0 for the others).
  size_t context_bytes() const;

 private:
  struct State;
  Codec codec_;
  int level_;
  std::unique_ptr<State> state_;
};

// Whether the last (at most) 4 KiB of [data, data + n) use at most 32 distinct byte values: the mark of
// ids and numbers written as text, for Compressor::Compress. A sample, because such columns are uniform.
bool SmallAlphabet(const uint8_t* data, size_t n);

class Decompressor {
 public:
  Decompressor();
  ~Decompressor();
  Decompressor(const Decompressor&) = delete;
  Decompressor& operator=(const Decompressor&) = delete;
  // A moved-from Decompressor stays usable.
  Decompressor(Decompressor&&) noexcept;
  Decompressor& operator=(Decompressor&&) noexcept;

  // Clears *out, then decompresses [in, in + n) into exactly uncompressed_size bytes; an error unless
  // the stream yields exactly that many. Never allocates much more than the input can produce.
  Status Decompress(Codec codec, const uint8_t* in, size_t n, size_t uncompressed_size, ByteBuffer* out);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

bool CodecSupportedForReading(Codec codec);

// CRC-32 (the gzip polynomial) of a page's bytes after its header, as PageHeader.crc stores it.
uint32_t PageCrc32(const uint8_t* data, size_t n);

}  // namespace logdaemon::parquet
