#include "core/fanout.hpp"

#include <algorithm>

namespace pgclone {

FanOutBuffer::FanOutBuffer(size_t consumers, size_t chunk_size, size_t max_buffered)
    : chunk_size_(chunk_size), max_buffered_(max_buffered), queues_(consumers), pending_(consumers, 0) {
    open_.reserve(chunk_size_);
}

void FanOutBuffer::append(const char *data, size_t size) {
    // Sealed before it would outgrow its reserved size: a string that grows doubles its allocation.
    if (!open_.empty() && open_.size() + size > chunk_size_)
        seal();
    open_.append(data, size);
    if (open_.size() >= chunk_size_)
        seal();
}

void FanOutBuffer::seal() {
    if (open_.empty())
        return;
    auto chunk = std::make_shared<const std::string>(std::move(open_));
    open_ = std::string();
    open_.reserve(chunk_size_);
    for (size_t i = 0; i < queues_.size(); i++) {
        queues_[i].push_back(chunk);
        pending_[i] += chunk->size();
    }
}

void FanOutBuffer::consume(size_t consumer) {
    pending_[consumer] -= queues_[consumer].front()->size();
    queues_[consumer].pop_front();
}

bool FanOutBuffer::any_consumer_idle() const {
    return std::any_of(pending_.begin(), pending_.end(), [](size_t p) { return p == 0; });
}

size_t FanOutBuffer::buffered_bytes() const {
    size_t slowest = pending_.empty() ? 0 : *std::max_element(pending_.begin(), pending_.end());
    return slowest + open_.size();
}

}  // namespace pgclone
