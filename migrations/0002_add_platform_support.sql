-- Every existing room and meeting was made on Whereby, so the default keeps them Whereby rows.
ALTER TABLE rooms ADD COLUMN platform TEXT NOT NULL DEFAULT 'whereby' CHECK (platform IN ('whereby', 'daily'));
ALTER TABLE meetings ADD COLUMN platform TEXT NOT NULL DEFAULT 'whereby' CHECK (platform IN ('whereby', 'daily'));
