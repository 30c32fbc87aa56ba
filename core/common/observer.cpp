#include "common/observer.h"

#include "common/errors.h"

namespace reclab {

void StopToken::throwIfStopped() const {
  if (stopRequested()) throw Cancelled();
}

Observer& nullObserver() {
  static Observer instance;
  return instance;
}

}  // namespace reclab
