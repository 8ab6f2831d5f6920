// A Rust binary with no dependencies (the tests build offline): maturin's `bindings = "bin"`.
fn main() {
    println!("metaseal example");
}
