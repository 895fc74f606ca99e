// The pump's buffer: bytes read once from a source, handed to every target at its own pace, with a
// bound on what is held. Rows are gathered into chunks; a sealed chunk is shared by every target
// queue and reused when the slowest target has sent it.
#pragma once

#ifdef POSTGRES_H
#error "pure C++ headers must be included before postgres.h"
#endif

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace pgclone {

class FanOutBuffer {
  public:
    FanOutBuffer(size_t consumers, size_t chunk_size, size_t max_buffered);

    // Producer side.
    bool can_accept() const { return buffered_bytes() < max_buffered_; }
    void append(const char *data, size_t size);  // one row; seals the open chunk once it reaches chunk_size
    void seal();                                 // hands the open chunk over, if it holds anything
    size_t open_bytes() const { return open_.size(); }

    // Consumer side: a consumer sends its front chunk whole, then consumes it.
    bool has_data(size_t consumer) const { return !queues_[consumer].empty(); }
    std::string_view front(size_t consumer) const { return *queues_[consumer].front().data; }
    // Returns the number of rows the consumed chunk held.
    int64_t consume(size_t consumer);
    size_t pending_bytes(size_t consumer) const { return pending_[consumer]; }
    bool any_consumer_idle() const;

    // Bytes held in memory: the slowest consumer's backlog plus the open chunk.
    size_t buffered_bytes() const;
    size_t consumers() const { return queues_.size(); }

    // Chunks kept for reuse once every consumer has sent them (for tests).
    size_t spare_chunks() const { return spare_.size(); }

  private:
    struct Sealed {
        std::shared_ptr<std::string> data;
        int64_t rows;
    };
    void recycle(std::shared_ptr<std::string> &&chunk);

    size_t chunk_size_;
    size_t max_buffered_;
    std::string open_;
    int64_t open_rows_ = 0;
    std::vector<std::deque<Sealed>> queues_;
    std::vector<size_t> pending_;
    // Sent chunks, cleared but keeping their allocation: a copy of any size allocates only as many
    // chunks as the bound holds, and memory does not grow with glibc's fragmentation.
    std::vector<std::string> spare_;
};

}  // namespace pgclone
