# The two commands of the README:
#   make run   - install what is missing, build, start the workbench on the bundled sample
#   make test  - install what is missing, build, run every test through ctest
BUILD ?= build
JOBS ?= $(shell nproc)
SAMPLE ?= datasets/ratings-sample/u.data

.PHONY: deps configure build run test bench screenshots deb clean

deps:
	bash packaging/install-deps.sh

configure: deps
	cmake --preset release -B $(BUILD)

build: configure
	cmake --build $(BUILD) -j$(JOBS)

run: build
	./$(BUILD)/app/gui/reclab --dataset $(SAMPLE)

test: build
	cd $(BUILD) && ctest --output-on-failure -j2

bench: build
	./$(BUILD)/tests/bench/bench_load

screenshots: build
	bash tests/widgets/screenshot.sh $(BUILD)

deb: build
	cd $(BUILD) && cpack -G DEB

clean:
	rm -rf $(BUILD)
