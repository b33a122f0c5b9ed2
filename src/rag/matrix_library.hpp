#pragma once
// Eigen's matrix products in src/rag are OpenBLAS calls (EIGEN_USE_BLAS, src/CMakeLists.txt).
// Debian's sequential OpenBLAS shares its work buffers between calls without a lock, so two
// threads multiplying at once corrupt each other's results; its threaded builds (install-deps
// installs one) are safe to call from many threads. Code that multiplies on request threads or
// spreads work over the cores holds this lock while it does: a real lock only where the
// sequential build is the one loaded.

#include <mutex>

namespace vf::rag {

std::unique_lock<std::mutex> ExclusiveMatrixProducts();

}  // namespace vf::rag
