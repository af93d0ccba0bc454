mod common;
#[test]
fn explain_env() {
    let text = std::env::var("KB_TEXT").unwrap_or_default();
    let tax = std::env::var("KB_TREE").unwrap_or("robot_vacuum".into());
    for t in text.split('|') {
        let input = koubei_engine::Input {
            taxonomy: Some(&tax),
            ..koubei_engine::Input::text(t)
        };
        println!("{}", common::engine().explain(&input));
    }
}
