// The installed embedding API: a SchemaValidator refuses a bad log and a StorageEngine stores a good one in
// DIRECTORY; prints "stored" once it is flushed to a Parquet file.
//   embed_check DIRECTORY
#include <logdaemon/schema.h>
#include <logdaemon/storage.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <string>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: embed_check DIRECTORY\n");
    return 2;
  }
  auto schema = logdaemon::SchemaValidator::DefaultSchema();
  if (!schema.ok()) return 2;
  if ((*schema).Validate(R"({"level":"loud"})").ok()) {
    std::fprintf(stderr, "an invalid log passed validation\n");
    return 1;
  }
  auto storage = logdaemon::StorageEngine::Open(argv[1], logdaemon::Compression::kZstd, 1000, 100 << 20);
  if (!storage.ok()) {
    std::fprintf(stderr, "open: %s\n", storage.status().ToString().c_str());
    return 2;
  }
  char now[32];
  const std::time_t t = std::time(nullptr);
  std::strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  const std::string log =
      std::string(R"({"timestamp":")") + now + R"(","level":"info","message":"embedded"})";
  if (auto st = (*storage)->Append(log); !st.ok()) {
    std::fprintf(stderr, "append: %s\n", st.ToString().c_str());
    return 1;
  }
  if (auto st = (*storage)->Close(); !st.ok()) {
    std::fprintf(stderr, "close: %s\n", st.ToString().c_str());
    return 1;
  }
  for (const auto& entry : std::filesystem::recursive_directory_iterator(argv[1])) {
    if (entry.path().extension() == ".parquet") {
      std::printf("stored\n");
      return 0;
    }
  }
  std::fprintf(stderr, "no Parquet file in %s\n", argv[1]);
  return 1;
}
