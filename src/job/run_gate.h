#pragma once

#include <mutex>

namespace usaged::job {

// Held while this process runs a usage job, so the scheduler and jobs started
// through the API (`usaged run --serve`) never run at the same time. Other
// processes are kept out by Store::LockJobs.
inline std::mutex& ProcessJobMutex() {
  static std::mutex mutex;
  return mutex;
}

}  // namespace usaged::job
