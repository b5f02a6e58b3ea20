#include "storage/file_holds.h"

namespace logdaemon::storage {

bool FileHolds::BeginMerge(const std::vector<std::string>& files) {
  std::lock_guard lock(mutex_);
  for (const std::string& file : files) {
    if (held_.count(file) > 0) return false;
  }
  for (const std::string& file : files) merging_.insert(file);
  return true;
}

void FileHolds::EndMerge(const std::vector<std::string>& files) {
  std::lock_guard lock(mutex_);
  for (const std::string& file : files) {
    auto it = merging_.find(file);
    if (it != merging_.end()) merging_.erase(it);
  }
}

bool FileHolds::Hold(const std::string& file) {
  std::lock_guard lock(mutex_);
  if (merging_.count(file) > 0) return false;
  held_.insert(file);
  return true;
}

void FileHolds::Release(const std::string& file) {
  std::lock_guard lock(mutex_);
  held_.erase(file);
  deletable_.erase(file);
}

bool FileHolds::IsHeld(const std::string& file) const {
  std::lock_guard lock(mutex_);
  return held_.count(file) > 0;
}

void FileHolds::MarkDeletable(const std::string& file) {
  std::lock_guard lock(mutex_);
  if (held_.count(file) > 0) deletable_.insert(file);
}

bool FileHolds::MayDelete(const std::string& file) const {
  std::lock_guard lock(mutex_);
  return deletable_.count(file) > 0;
}

size_t FileHolds::held_count() const {
  std::lock_guard lock(mutex_);
  return held_.size();
}

std::string HeldName(const std::string& partition_relative_path, const std::string& file_name) {
  if (partition_relative_path.empty()) return file_name;
  return partition_relative_path + "/" + file_name;
}

}  // namespace logdaemon::storage
