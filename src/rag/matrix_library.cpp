#include "rag/matrix_library.hpp"

// OpenBLAS's own (cblas.h is not on the default include path of Debian's variants).
extern "C" void openblas_set_num_threads(int threads);
extern "C" int openblas_get_parallel(void);  // 0: the sequential build

namespace vf::rag {

std::unique_lock<std::mutex> ExclusiveMatrixProducts() {
  static const bool shares_buffers = [] {
    // The products are small and their callers run on threads of their own: OpenBLAS's own
    // threads would only contend with those.
    openblas_set_num_threads(1);
    return openblas_get_parallel() == 0;
  }();
  static std::mutex products;
  return shares_buffers ? std::unique_lock(products) : std::unique_lock<std::mutex>();
}

}  // namespace vf::rag
