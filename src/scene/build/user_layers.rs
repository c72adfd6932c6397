//! The user layers pass: each shown layer as one primitive, which painters reduce to what the
//! pixels can show (lines to the points a pixel apart, points to a dot per cell of a small
//! pixel grid).

use std::sync::Arc;

use super::Builder;
use crate::scene::{Group, Primitive, UserLayerMarks};
use crate::style::Color;

impl Builder<'_> {
    pub(super) fn user_layers(&mut self) {
        let layers = self.layers();
        for (index, layer) in self.model.user_layers.iter().enumerate() {
            let style = layers.user_layer_style(&layer.path, index);
            if style.hidden {
                continue;
            }
            let [r, g, b] = style.color;
            let color = Color::rgb(r, g, b);
            self.push(
                Group::UserLayers,
                Primitive::UserLayer(UserLayerMarks {
                    layer: Arc::clone(layer),
                    color,
                }),
            );
        }
    }
}
