// Package chaptertest holds the helpers the chapters' tests share: running an
// example under many seeds, golden files, and the -update flag that rewrites
// them from real runs.
package chaptertest
